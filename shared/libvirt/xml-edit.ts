// DOM helpers for editing libvirt XML in place. They touch only the nodes they are given and
// copy the document's own indentation, so whatever else the document holds (unknown elements,
// namespaces, comments) keeps its place and its layout through an edit.
import { DOMImplementation, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { parseRootElement } from './xml-document';

const TEXT_NODE = 3;
const INDENT_STEP = '  ';

/** The root element of a new, empty document. */
export function createRootElement(name: string): Element {
  const root = new DOMImplementation().createDocument(null, name, null).documentElement;
  if (!root) throw new Error(`Could not create a <${name}> document.`);
  return root;
}

function documentOf(node: Node): Document {
  const document = node.ownerDocument;
  if (!document) throw new Error(`<${node.nodeName}> belongs to no document.`);
  return document;
}

/** A new element of `node`'s document, not yet placed anywhere. */
export function createElementFor(node: Node, name: string): Element {
  return documentOf(node).createElement(name);
}

/** The whole document `root` belongs to, as text, ending in a newline like virsh's output. */
export function serializeDocument(root: Element): string {
  const text = new XMLSerializer().serializeToString(documentOf(root));
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * `xml` as serializeDocument writes it (quotes, empty elements), unchanged otherwise: what an
 * edited copy is compared with line by line, so that only the edit shows as a difference.
 */
export function reserializeXml(xml: string, rootName: string): string {
  return serializeDocument(parseRootElement(xml, rootName));
}

/** Sets the attribute, or removes it when `value` is undefined. */
export function writeAttribute(element: Element, name: string, value: string | undefined): void {
  if (value === undefined) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

export function writeText(element: Element, text: string): void {
  element.textContent = text;
}

function isWhitespaceText(node: Node | null): node is Node {
  return node !== null && node.nodeType === TEXT_NODE && /^\s*$/.test(node.nodeValue ?? '');
}

/** The indentation of `element`'s line; undefined when the document is not indented there. */
function indentOf(element: Element): string | undefined {
  if (element.parentNode === element.ownerDocument) return '';
  const before = element.previousSibling;
  if (!isWhitespaceText(before)) return undefined;
  const text = before.nodeValue ?? '';
  const newline = text.lastIndexOf('\n');
  return newline < 0 ? undefined : text.slice(newline + 1);
}

function newLine(element: Element, indent: string): Node {
  return documentOf(element).createTextNode(`\n${indent}`);
}

/**
 * Removes the element together with the whitespace that put it on its own line; a parent left
 * with nothing but whitespace is emptied, so it is written as <parent/>.
 */
export function removeElement(element: Element): void {
  const parent = element.parentNode;
  if (!parent) return;
  const before = element.previousSibling;
  parent.removeChild(element);
  if (isWhitespaceText(before)) parent.removeChild(before);
  const rest = Array.from(parent.childNodes);
  if (rest.every(isWhitespaceText)) rest.forEach((node) => parent.removeChild(node));
}

export function insertElementAfter(reference: Element, element: Element): void {
  const parent = reference.parentNode;
  if (!parent) throw new Error(`<${reference.nodeName}> is not in a document.`);
  const indent = indentOf(reference);
  const next = reference.nextSibling;
  if (indent !== undefined) parent.insertBefore(newLine(reference, indent), next);
  parent.insertBefore(element, next);
}

function insertElementBefore(reference: Element, element: Element): void {
  const parent = reference.parentNode;
  if (!parent) throw new Error(`<${reference.nodeName}> is not in a document.`);
  const indent = indentOf(reference);
  parent.insertBefore(element, reference);
  if (indent !== undefined) parent.insertBefore(newLine(reference, indent), reference);
}

/** Adds `element` to a parent that has no child elements yet, one level deeper than the parent. */
function appendFirstElement(parent: Element, element: Element): void {
  const indent = indentOf(parent);
  if (indent === undefined) {
    parent.appendChild(element);
    return;
  }
  const closingLine = parent.lastChild;
  if (isWhitespaceText(closingLine) && (closingLine.nodeValue ?? '').includes('\n')) {
    parent.insertBefore(newLine(parent, indent + INDENT_STEP), closingLine);
    parent.insertBefore(element, closingLine);
    return;
  }
  parent.appendChild(newLine(parent, indent + INDENT_STEP));
  parent.appendChild(element);
  parent.appendChild(newLine(parent, indent));
}

/**
 * Creates <name> in `parent` where `order` (the child order libvirt writes) puts it: after the
 * last known sibling that comes no later, else before the first that comes later.
 */
export function insertChildElement(parent: Element, name: string, order: readonly string[]): Element {
  const element = createElementFor(parent, name);
  const rank = order.indexOf(name);
  const siblings = Array.from(parent.children);
  const rankOf = (sibling: Element) => order.indexOf(sibling.nodeName);
  const earlier = siblings.filter((sibling) => rankOf(sibling) >= 0 && rankOf(sibling) <= rank).at(-1);
  const later = siblings.find((sibling) => rankOf(sibling) > rank);
  const last = siblings.at(-1);
  if (earlier) insertElementAfter(earlier, element);
  else if (later) insertElementBefore(later, element);
  else if (last) insertElementAfter(last, element);
  else appendFirstElement(parent, element);
  return element;
}

/** Removes an element that an edit left with no attributes and no child elements. */
export function removeIfEmpty(element: Element): void {
  if (element.attributes.length === 0 && element.children.length === 0) removeElement(element);
}

function follows(element: Element, reference: Element): boolean {
  for (let node = reference.nextSibling; node !== null; node = node.nextSibling) {
    if (node === element) return true;
  }
  return false;
}

/** Moves `element` to just after `reference` unless it already comes after it. */
export function keepAfter(reference: Element, element: Element): void {
  if (follows(element, reference)) return;
  removeElement(element);
  insertElementAfter(reference, element);
}
