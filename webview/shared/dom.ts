// The webviews' one way to build their page: elements created in script (no markup kept in the
// extension), attributes set as given, children appended in order.
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") element.className = v;
    else element.setAttribute(k, v);
  }
  for (const child of children) element.append(child);
  return element;
}
