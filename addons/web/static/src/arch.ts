/**
 * View archs (XML strings from `get_views`) as a small typed tree. Parsing uses the browser's
 * DOMParser; any object with the same `parseFromString` works (the unit tests pass xmldom).
 * Owns the tree shape and queries over it; not the meaning of the nodes (the views do that).
 */
import { parseExpression, type Expr } from '../../../../core/data/literal-eval.ts';

export interface ArchNode {
  tag: string;
  attrs: Record<string, string>;
  children: ArchNode[];
  /** Text content of a `#text` node. */
  text?: string;
}

/** The DOM subset read from a parsed document (browser DOM and xmldom both fit). */
interface DomLike {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomLike>;
  attributes?: ArrayLike<{ name: string; value: string }> | null;
}
export interface XmlParser {
  parseFromString(source: string, type: 'text/xml'): unknown;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Parses an arch; throws an Error naming the problem when the XML is not well formed. */
export function parseArch(xml: string, parser?: XmlParser): ArchNode {
  const p = parser ?? new DOMParser();
  let parsed: unknown;
  try {
    parsed = p.parseFromString(xml, 'text/xml');
  } catch (err) {
    throw new Error(`Invalid view arch: ${(err as Error).message ?? err}`);
  }
  const doc = parsed as { documentElement?: DomLike | null; getElementsByTagName?: (n: string) => ArrayLike<DomLike> };
  const root = doc.documentElement;
  const error = doc.getElementsByTagName?.('parsererror')[0];
  if (!root || error || root.nodeName === 'parsererror') {
    throw new Error(`Invalid view arch: ${(error ?? root)?.childNodes[0]?.nodeValue ?? 'not XML'}`);
  }
  return fromDom(root);
}

function fromDom(el: DomLike): ArchNode {
  const attrs: Record<string, string> = {};
  for (const a of Array.from(el.attributes ?? [])) attrs[a.name] = a.value;
  const children: ArchNode[] = [];
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === ELEMENT_NODE) children.push(fromDom(child));
    else if (child.nodeType === TEXT_NODE && child.nodeValue?.trim()) {
      children.push({ tag: '#text', attrs: {}, children: [], text: child.nodeValue.replace(/\s+/g, ' ') });
    }
  }
  return { tag: el.nodeName, attrs, children };
}

/** Depth-first nodes matching `pred`; `prune` stops the descent below a node. */
export function findAll(node: ArchNode, pred: (n: ArchNode) => boolean, prune?: (n: ArchNode) => boolean): ArchNode[] {
  const found: ArchNode[] = [];
  const walk = (n: ArchNode, isRoot: boolean) => {
    if (pred(n)) found.push(n);
    if (!isRoot && prune?.(n)) return;
    n.children.forEach((c) => walk(c, false));
  };
  walk(node, true);
  return found;
}

export function findFirst(node: ArchNode, pred: (n: ArchNode) => boolean): ArchNode | undefined {
  return findAll(node, pred)[0];
}

const SUBVIEW_TAGS = new Set(['list', 'tree', 'form', 'kanban']);

/** `<field>` nodes of a view, not descending into x2many subviews (`<field><list>…</list></field>`). */
export function fieldNodes(arch: ArchNode): ArchNode[] {
  return findAll(arch, (n) => n.tag === 'field', (n) => n !== arch && SUBVIEW_TAGS.has(n.tag));
}

const MODIFIER_ATTRS = ['invisible', 'readonly', 'required', 'column_invisible', 'domain', 'context'];

/**
 * Field names a view needs to read: its `<field>`s plus the names used by modifier
 * expressions (`invisible="state != 'closed'"` needs `state`), as Odoo 17 does.
 */
export function fieldsToRead(arch: ArchNode, known: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const node of findAll(arch, () => true, (n) => n !== arch && SUBVIEW_TAGS.has(n.tag))) {
    if (node.tag === 'field' && node.attrs.name) names.add(node.attrs.name);
    for (const attr of Object.keys(node.attrs)) {
      if (MODIFIER_ATTRS.includes(attr) || attr.startsWith('decoration-')) {
        for (const name of expressionNames(node.attrs[attr])) if (name in known) names.add(name);
      }
    }
  }
  return [...names].filter((n) => n in known);
}

/** Free names of a Python expression (empty when it does not parse). */
export function expressionNames(src: string): string[] {
  let expr: Expr;
  try {
    expr = parseExpression(src);
  } catch {
    return [];
  }
  const names: string[] = [];
  const walk = (e: Expr): void => {
    switch (e.type) {
      case 'name': names.push(e.name); break;
      case 'list': case 'tuple': e.items.forEach(walk); break;
      case 'dict': e.entries.forEach(([k, v]) => { walk(k); walk(v); }); break;
      case 'attr': walk(e.object); break;
      case 'subscript': walk(e.object); walk(e.index); break;
      case 'call': walk(e.callee); e.args.forEach(walk); e.kwargs.forEach(([, v]) => walk(v)); break;
      case 'unary': walk(e.operand); break;
      case 'binary': case 'bool': walk(e.left); walk(e.right); break;
      case 'compare': walk(e.left); e.comparators.forEach(walk); break;
      case 'cond': walk(e.test); walk(e.then); walk(e.otherwise); break;
      case 'const': break;
    }
  };
  walk(expr);
  return names;
}

/** The inline subview of an x2many `<field>` (`<list>` or `<tree>`), if any. */
export function inlineListView(fieldNode: ArchNode): ArchNode | undefined {
  return fieldNode.children.find((c) => c.tag === 'list' || c.tag === 'tree');
}

/** `"1"`, `"true"`, `"True"` → true; absent → `fallback`. For plain boolean attributes. */
export function boolAttr(value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'False'].includes(value.trim());
}
