/**
 * A small XML writer for awsQuery responses. Plain objects become nested elements, arrays
 * become `<member>` lists (AWS's query serialisation), Dates become ISO 8601 without
 * milliseconds, and undefined members are left out.
 */
export type XmlValue =
  string | number | boolean | Date | undefined | null | XmlValue[] | { [name: string]: XmlValue };

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${xmlContent(value)}</${name}>`;
}

function xmlContent(value: Exclude<XmlValue, undefined | null>): string {
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((item) => xmlElement('member', item)).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([child, inner]) => xmlElement(child, inner))
      .join('');
  return escapeXml(String(value));
}
