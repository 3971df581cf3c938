// DOM helpers for reading libvirt's XML documents. @xmldom/xmldom parses the same way in node
// and in the browser, so shared/ never depends on a global DOMParser.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { normalizeMac } from '../address';
import { SwitchyardError } from '../errors';

export function invalidXml(field: string | undefined, message: string, hint: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid-xml', message, hint, ...(field ? { field } : {}) });
}

/** Parses `xml` and returns its root element, which must be <rootName>. */
export function parseRootElement(xml: string, rootName: string): Element {
  let problem: string | undefined;
  let root: Element | null = null;
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        if (level === 'warning') return;
        problem ??= message.split('\n')[0];
        // Stop at the first error: xmldom would otherwise build a partial tree.
        throw new Error(message);
      },
    });
    root = parser.parseFromString(xml, 'text/xml').documentElement;
  } catch (error) {
    problem ??= error instanceof Error ? error.message : String(error);
  }
  if (problem !== undefined || root === null) {
    throw invalidXml(
      undefined,
      `The ${rootName} XML is not well-formed: ${problem ?? 'it has no root element'}.`,
      'Fix the XML syntax (matching tags, quoted attributes, one root element) and try again.',
    );
  }
  if (root.nodeName !== rootName) {
    throw invalidXml(
      undefined,
      `Expected a <${rootName}> document, got <${root.nodeName}>.`,
      `Give XML whose root element is <${rootName}>.`,
    );
  }
  return root;
}

/** Direct children named `name`; prefixed elements (dnsmasq:options, metadata) never match. */
export function childElements(parent: Element, name: string): Element[] {
  return Array.from(parent.children).filter((child) => child.nodeName === name);
}

export function childElement(parent: Element, name: string): Element | undefined {
  return childElements(parent, name)[0];
}

export function attribute(element: Element | undefined, name: string): string | undefined {
  return element?.getAttribute(name) ?? undefined;
}

/** The trimmed text of the first child `name`, undefined when absent or blank. */
export function childText(parent: Element, name: string): string | undefined {
  const text = childElement(parent, name)?.textContent?.trim();
  return text ? text : undefined;
}

/** A MAC address attribute in lowercase form; undefined when the attribute is absent. */
export function parseMac(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const mac = normalizeMac(text);
  if (mac === undefined) {
    throw invalidXml(field, `"${text}" is not a MAC address.`, 'Write it as six hex pairs, such as 52:54:00:12:34:56.');
  }
  return mac;
}
