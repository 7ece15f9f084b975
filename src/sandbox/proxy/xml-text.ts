/** Small helpers for the handful of AWS XML documents the proxy reads or writes by hand. */

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** The text of the first <tag>...</tag> (no attributes, no nesting of the same tag), unescaped. */
export function tagText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
}

/** <tag>text</tag>, escaped; nothing when text is undefined. */
export function element(tag: string, text: string | number | undefined): string {
  return text === undefined ? '' : `<${tag}>${escapeXml(String(text))}</${tag}>`;
}

/** AWS's timestamp form: ISO 8601 with milliseconds and Z. */
export function awsTime(ms: number): string {
  return new Date(ms).toISOString();
}
