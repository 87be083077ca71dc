"""PyTorch peer for bench/train-throughput.ts: torchvision's ResNet18 (or argv[5]; 6 outputs) training steps as `ich train` runs
them (AdamW, BCE with logits, random inputs), median step time after one warm-up step. Runs alone in
its own process; prints one JSON line."""
import json
import resource
import statistics
import sys
import time

import torch
import torchvision

threads, batch, size, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
arch = sys.argv[5] if len(sys.argv) > 5 else "resnet18"
torch.set_num_threads(threads)
torch.manual_seed(0)

model = getattr(torchvision.models, arch)(num_classes=6)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
loss_fn = torch.nn.BCEWithLogitsLoss()
x = torch.rand(batch, 3, size, size)
y = (torch.rand(batch, 6) > 0.5).float()
model.train()


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


step()  # warm-up
times = []
cpu_start = time.process_time()
for _ in range(steps):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
cpu = time.process_time() - cpu_start
print(json.dumps({
    "imgPerSec": batch / statistics.median(times),
    "imgPerCpuSec": batch * steps / cpu,
    "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
}), flush=True)
