// A canonical text of an XML document, for telling whether two documents say the same thing:
// the same elements (by qualified name), attributes (in any order, any quote style), text,
// comments and processing instructions in the same order. Only whitespace is normalised:
// whitespace-only text drops out and other text is trimmed with inner runs collapsed.
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';

function canonicalNode(node: Node): string {
  switch (node.nodeType) {
    case node.ELEMENT_NODE: {
      const element = node as unknown as Element;
      const attributes = Array.from(element.attributes)
        .map((attribute) => ` ${attribute.name}=${JSON.stringify(attribute.value)}`)
        .sort()
        .join('');
      const children = Array.from(element.childNodes).map(canonicalNode).join('');
      return `<${element.nodeName}${attributes}>${children}</${element.nodeName}>`;
    }
    case node.TEXT_NODE:
    case node.CDATA_SECTION_NODE:
      return (node.nodeValue ?? '').trim().replace(/\s+/g, ' ');
    case node.COMMENT_NODE:
      return `<!--${node.nodeValue}-->`;
    case node.PROCESSING_INSTRUCTION_NODE:
      return `<?${node.nodeName} ${node.nodeValue}?>`;
    default:
      return Array.from(node.childNodes).map(canonicalNode).join('');
  }
}

/** The canonical text of a well-formed document (parse errors are the caller's to catch first). */
export function canonicalXml(xml: string): string {
  return canonicalNode(new DOMParser().parseFromString(xml, 'text/xml'));
}
