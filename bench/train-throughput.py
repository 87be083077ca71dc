"""PyTorch peer for bench/train-throughput.ts: ResNet18 (6 sigmoid outputs) training and inference
img/s on random data, same batch size and step counts. Prints one JSON object per measurement."""
import json
import sys
import time

import torch
import torchvision

threads, batch, sizes, train_steps, infer_batches = int(sys.argv[1]), int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")], int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)

for size in sizes:
    model = torchvision.models.resnet18(num_classes=6)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x = torch.rand(batch, 3, size, size)
    y = (torch.rand(batch, 6) > 0.5).float()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    model.train()
    step()  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(train_steps):
        step()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    images = batch * train_steps
    print(json.dumps({"size": size, "mode": "train", "imgPerSec": images / elapsed, "imgPerCpuSec": images / cpu}), flush=True)

    model.eval()
    with torch.no_grad():
        torch.sigmoid(model(x))  # warm-up
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(infer_batches):
            torch.sigmoid(model(x))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    images = batch * infer_batches
    print(json.dumps({"size": size, "mode": "inference", "imgPerSec": images / elapsed, "imgPerCpuSec": images / cpu}), flush=True)

print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}), flush=True)
