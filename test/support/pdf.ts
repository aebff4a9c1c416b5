// Reading back the PDFs the product draws (pdfkit), for tests.
import { inflateSync } from 'node:zlib';

/** The text an uncompressed or Flate-compressed pdfkit PDF draws (hex strings of its TJ operators). */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const parts = [raw];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      parts.push(inflateSync(Buffer.from(m[1] as string, 'latin1')).toString('latin1'));
    } catch {
      // Not a Flate stream (an uncompressed one is already in `raw`).
    }
  }
  const lines: string[] = [];
  for (const s of parts) {
    for (const m of s.matchAll(/\[((?:<[0-9a-f]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
      const hex = [...(m[1] as string).matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join('');
      lines.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  // Wrapped lines lose the space they broke at.
  return lines.join(' ');
}
