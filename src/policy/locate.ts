import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

/**
 * Finds the line and column of the node at `path`, or of its deepest ancestor that exists.
 * With `key`, points at the key of the last segment instead of its value (for unknown keys).
 */
export function locate(doc: Document, lines: LineCounter, path: YamlPath, key = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let at: Node | undefined = doc.contents ?? undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const target = key || pair.value == null ? pair.key : pair.value;
      at = (target as Node) ?? at;
      node = pair.value;
      if (key && seg === path[path.length - 1]) break;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] != null) {
      node = node.items[seg];
      at = node as Node;
    } else break;
  }
  const offset = at?.range?.[0] ?? 0;
  return lines.linePos(offset);
}
