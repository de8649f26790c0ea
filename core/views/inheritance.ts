/**
 * View inheritance: applies an inheriting view's patch to a parent arch, with Odoo's semantics
 * (`odoo/tools/template_inheritance.py`). Pure: XML text in, XML text out. Also owns the strict
 * `parseXml`/`serializeXml` helpers the loader and the view code share.
 *
 * It does NOT own which views inherit from which, their priority order or group filtering: the
 * caller folds `applyInheritance` over the inheriting views in the right order.
 *
 *   patch <data>            spec ──locate──▶ node in arch ──POSITIONS[position]──▶ arch'
 *           <xpath …/>        (xpath expr, or first element with the same tag and attributes)
 *           <field …/>      each spec sees the arch as left by the previous one
 */
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { ValidationError, err } from '../errors.ts';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Options of {@link parseXml}. */
export interface ParseXmlOptions {
  /** Names the document in error messages (a file name, a view's XML id). */
  name?: string;
  /** Receives the parser's benign warnings; every other report is fatal. */
  warnings?: string[];
}

/** Parser reports that do not make a document malformed. */
const BENIGN_WARNINGS = [/^Unicode replacement character/];

/**
 * Parses XML strictly: anything xmldom reports (including its "warnings" about missing quotes or
 * attribute values, which are well-formedness errors) throws. Nodes keep `lineNumber`.
 * @throws ValidationError `Invalid XML in <name>: <parser message> at line L, column C`.
 */
export function parseXml(xml: string, opts: ParseXmlOptions = {}): Document {
  const where = opts.name ? ` in ${opts.name}` : '';
  if (typeof xml !== 'string') throw err(ValidationError, 'Invalid XML%s: expected a string, got %s', where, typeof xml);
  let firstError: string | undefined;
  const parser = new DOMParser({
    locator: true,
    onError(level, message) {
      if (level === 'warning' && BENIGN_WARNINGS.some((re) => re.test(message))) {
        opts.warnings?.push(message);
        return;
      }
      firstError ??= message;
      throw new Error(message); // stops parsing; xmldom rethrows it as a ParseError with a locator
    },
  });
  try {
    return parser.parseFromString(xml, 'text/xml');
  } catch (e) {
    const locator = (e as { locator?: { lineNumber?: number; columnNumber?: number } }).locator;
    const at = locator?.lineNumber ? ` at line ${locator.lineNumber}, column ${locator.columnNumber}` : '';
    throw err(ValidationError, 'Invalid XML%s: %s%s', where, firstError ?? (e as Error).message, at);
  }
}

/** Serialises a document (its root element, without an XML declaration) or any node. */
export function serializeXml(node: Document | Node): string {
  const target = 'documentElement' in node && node.documentElement ? node.documentElement : node;
  return new XMLSerializer().serializeToString(target);
}

/** Options of {@link applyInheritance}. */
export interface InheritanceOptions {
  /** The inheriting view's name or XML id, for error messages. */
  viewName?: string;
}

interface Context {
  arch: Document;
  fail: (message: string) => never;
}

/**
 * Applies `patchXml` (a `<data>` of specs, or a single spec) to `archXml` and returns the new
 * arch. Specs are `<xpath expr=… position=…>` or shorthand elements located by tag and
 * attributes; `position` is `inside` (default), `after`, `before`, `replace` or `attributes`.
 * @throws ValidationError for malformed XML, a spec that matches nothing, or a bad position.
 */
export function applyInheritance(archXml: string, patchXml: string, opts: InheritanceOptions = {}): string {
  const label = opts.viewName ? ` in ${opts.viewName}` : '';
  const arch = parseXml(archXml, { name: opts.viewName ? `the parent arch of ${opts.viewName}` : 'the parent arch' });
  const patch = parseXml(patchXml, { name: opts.viewName ?? 'the inheriting arch' });
  const ctx: Context = {
    arch,
    fail(message) { throw err(ValidationError, 'View inheritance error%s: %s', label, message); },
  };
  for (const spec of specsOf(patch.documentElement!)) applySpec(ctx, spec);
  return serializeXml(arch);
}

/** A `<data>` root holds specs (possibly nested `<data>`); any other root is itself a spec. */
function specsOf(root: Element): Element[] {
  return root.tagName === 'data' ? childElements(root).flatMap(specsOf) : [root];
}

function applySpec(ctx: Context, spec: Element): void {
  const position = spec.getAttribute('position') || 'inside';
  const handler = Object.hasOwn(POSITIONS, position) ? POSITIONS[position] : undefined;
  if (!handler) {
    ctx.fail(`invalid position '${position}' in element '${describe(spec)}' (expected one of ${Object.keys(POSITIONS).join(', ')})`);
  }
  const node = locate(ctx, spec);
  if (!node) ctx.fail(`element '${describe(spec)}' cannot be located in parent view`);
  handler(ctx, node, spec);
}

/** Finds the arch element a spec designates, or null. */
function locate(ctx: Context, spec: Element): Element | null {
  if (spec.tagName === 'xpath') return locateXpath(ctx, spec.getAttribute('expr') ?? '');
  const candidates = Array.from(ctx.arch.getElementsByTagName(spec.tagName));
  return candidates.find((node) => matchesShorthand(node, spec)) ?? null;
}

/** XPath is evaluated from the root element, as Odoo does with lxml's `arch.xpath(expr)`. */
function locateXpath(ctx: Context, expr: string): Element | null {
  let result: unknown;
  try {
    result = xpath.select(expr, ctx.arch.documentElement as unknown as globalThis.Node);
  } catch (err) {
    ctx.fail(`invalid xpath expression "${expr}": ${(err as Error).message}`);
  }
  const nodes = Array.isArray(result) ? (result as unknown as Node[]) : [];
  return (nodes.find((n) => n.nodeType === ELEMENT_NODE) as Element | undefined) ?? null;
}

/** Attributes of a spec that direct the patch rather than select the node. */
const DIRECTIVES = new Set(['position', 'version', 'mode']);

/** `<field>` matches by name only; other tags must agree on every attribute but the directives. */
function matchesShorthand(node: Element, spec: Element): boolean {
  if (spec.tagName === 'field') return node.getAttribute('name') === spec.getAttribute('name');
  return Array.from(spec.attributes)
    .filter((attr) => !DIRECTIVES.has(attr.name))
    .every((attr) => node.getAttribute(attr.name) === attr.value);
}

type PositionHandler = (ctx: Context, node: Element, spec: Element) => void;

/** What each `position` does to the located node. */
const POSITIONS: Readonly<Record<string, PositionHandler>> = {
  inside(ctx, node, spec) {
    for (const child of importContent(ctx, spec)) node.appendChild(child);
  },
  after(ctx, node, spec) {
    const next = node.nextSibling;
    for (const child of importContent(ctx, spec)) parentOf(ctx, node).insertBefore(child, next);
  },
  before(ctx, node, spec) {
    for (const child of importContent(ctx, spec)) parentOf(ctx, node).insertBefore(child, node);
  },
  replace(ctx, node, spec) {
    const mode = spec.getAttribute('mode') || 'outer';
    if (mode === 'inner') return replaceInner(ctx, node, spec);
    if (mode !== 'outer') ctx.fail(`invalid replace mode '${mode}' in element '${describe(spec)}'`);
    const content = importContent(ctx, spec);
    for (const child of content) substituteOriginal(child, node);
    if (node === ctx.arch.documentElement) return replaceRoot(ctx, node, spec, content);
    const parent = parentOf(ctx, node);
    for (const child of content) parent.insertBefore(child, node);
    parent.removeChild(node);
  },
  attributes(ctx, node, spec) {
    for (const child of childElements(spec)) setAttributeFromSpec(ctx, node, child, spec);
  },
};

function replaceInner(ctx: Context, node: Element, spec: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  for (const child of importContent(ctx, spec)) node.appendChild(child);
}

/** Replacing the root needs exactly one element to become the new root. */
function replaceRoot(ctx: Context, root: Element, spec: Element, content: Node[]): void {
  const elements = content.filter((n) => n.nodeType === ELEMENT_NODE);
  if (elements.length !== 1) {
    ctx.fail(`replacing the root element needs exactly one element in '${describe(spec)}', got ${elements.length}`);
  }
  ctx.arch.replaceChild(elements[0], root);
}

/** Odoo's `$0`: an element whose whole text is `$0` receives a copy of the replaced node. */
function substituteOriginal(content: Node, original: Element): void {
  if (content.nodeType !== ELEMENT_NODE) return;
  const element = content as Element;
  const children = Array.from(element.childNodes);
  if (children.length === 1 && children[0].nodeType === TEXT_NODE && children[0].nodeValue?.trim() === '$0') {
    element.replaceChild(original.cloneNode(true), children[0]);
    return;
  }
  for (const child of children) substituteOriginal(child, original);
}

/**
 * One `<attribute name="x">value</attribute>`: sets `x`, or removes it when the value is empty.
 * With `add`/`remove` (and `separator`, default `,`) edits a list-valued attribute instead.
 */
function setAttributeFromSpec(ctx: Context, node: Element, attribute: Element, spec: Element): void {
  const name = attribute.getAttribute('name');
  if (attribute.tagName !== 'attribute' || !name) {
    ctx.fail(`'${describe(spec)}' may only contain <attribute name="…"> elements, got '${describe(attribute)}'`);
  }
  const text = attribute.textContent ?? '';
  const isListEdit = attribute.hasAttribute('add') || attribute.hasAttribute('remove');
  if (isListEdit && text.trim()) ctx.fail(`<attribute name="${name}"> cannot have both a value and add/remove`);
  const value = isListEdit ? editList(node.getAttribute(name) ?? '', attribute) : text;
  if (value) node.setAttribute(name, value);
  else node.removeAttribute(name);
}

/** `add="b" remove="a"` on `"a,c"` → `"c,b"`; a separator of one space splits on any whitespace. */
function editList(current: string, attribute: Element): string {
  const separator = attribute.getAttribute('separator') || ',';
  const split = (s: string) => (separator.trim() === '' ? s.split(/\s+/) : s.split(separator)).map((x) => x.trim()).filter(Boolean);
  const toRemove = new Set(split(attribute.getAttribute('remove') ?? ''));
  const kept = split(current).filter((v) => !toRemove.has(v));
  return [...kept, ...split(attribute.getAttribute('add') ?? '')].join(separator);
}

/** The spec's children deep-cloned into the arch document; whitespace-only text is dropped. */
function importContent(ctx: Context, spec: Element): Node[] {
  return Array.from(spec.childNodes)
    .filter((n) => !(n.nodeType === TEXT_NODE && !n.nodeValue?.trim()))
    .map((n) => ctx.arch.importNode(n, true));
}

function parentOf(ctx: Context, node: Element): Node {
  const parent = node.parentNode;
  if (!parent || parent === ctx.arch) ctx.fail(`cannot insert a sibling of the root element <${node.tagName}>`);
  return parent;
}

function childElements(element: Element): Element[] {
  return Array.from(element.childNodes).filter((n): n is Element => n.nodeType === ELEMENT_NODE);
}

/** `<xpath expr="//field[@name='foo']">`, the way Odoo names a spec (without its position). */
function describe(spec: Element): string {
  const attrs = Array.from(spec.attributes)
    .filter((attr) => attr.name !== 'position')
    .map((attr) => ` ${attr.name}="${attr.value}"`);
  return `<${spec.tagName}${attrs.join('')}>`;
}
