// Reports as PDF (pdfkit, its built-in Helvetica: nothing to embed): a title, a few lines of
// context, tables that break across pages with their header repeated, notes (the definitions) and
// a "generated at" line. Rendering only: the caller passes ready-made strings.
import PDFDocument from 'pdfkit';

export interface PdfColumn {
  label: string;
  /** Share of the text width (the shares of a table are normalised). */
  width: number;
  align?: 'left' | 'right';
}

export interface PdfTable {
  heading?: string;
  columns: PdfColumn[];
  rows: string[][];
}

export interface PdfReport {
  title: string;
  /** Lines under the title: workspace, windows, zone. */
  subtitle: string[];
  tables: PdfTable[];
  /** Paragraphs after the tables (definitions, how the windows were chosen). */
  notes: { heading: string; paragraphs: string[] };
  /** The instant the report is for; shown and stored as the document's creation date. */
  generatedAt: Date;
  /** The "generated at" line as shown (with the zone). */
  generatedAtText: string;
  /** Compress content streams (default true; tests read the text of an uncompressed one). */
  compress?: boolean;
}

// The standard fonts speak WinAnsi: anything else becomes a near equivalent or '?'.
const REPLACEMENTS: Record<string, string> = {
  '\u2212': '-',
  '\u2192': '->',
  '\u2264': '<=',
  '\u2265': '>=',
};
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else if (code < 0x20) out += ' ';
    else if (code <= 0xff || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += '?';
  }
  return out;
}

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** Renders a report; resolves with the PDF bytes. */
export function renderPdf(report: PdfReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: report.compress ?? true,
    info: {
      Title: pdfText(report.title),
      Creator: 'Promise Ledger',
      CreationDate: report.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  doc.font(BOLD).fontSize(18).text(pdfText(report.title), left, doc.y, { width });
  doc.moveDown(0.3);
  doc.font(FONT).fontSize(10);
  for (const line of report.subtitle) doc.text(pdfText(line), left, doc.y, { width });
  doc.moveDown(1);

  for (const table of report.tables) drawTable(doc, table, left, width, bottom);

  if (report.notes.paragraphs.length > 0) {
    doc.moveDown(0.5);
    if (doc.y + 40 > bottom()) doc.addPage();
    doc.font(BOLD).fontSize(11).text(pdfText(report.notes.heading), left, doc.y, { width });
    doc.moveDown(0.3);
    doc.font(FONT).fontSize(9);
    for (const p of report.notes.paragraphs) {
      doc.text(pdfText(p), left, doc.y, { width });
      doc.moveDown(0.4);
    }
  }
  doc.moveDown(0.5);
  doc
    .font(FONT)
    .fontSize(8)
    .fillColor('#555555')
    .text(pdfText(report.generatedAtText), left, doc.y, { width });
  doc.end();
  return done;
}

function drawTable(
  doc: PDFKit.PDFDocument,
  table: PdfTable,
  left: number,
  width: number,
  bottom: () => number,
): void {
  const total = table.columns.reduce((a, c) => a + c.width, 0) || 1;
  const widths = table.columns.map((c) => (c.width / total) * width);
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const pad = 3;
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(9);
    return (
      Math.max(
        ...cells.map((c, i) => doc.heightOfString(pdfText(c), { width: (widths[i] as number) - 2 * pad })),
        doc.currentLineHeight(),
      ) +
      2 * pad
    );
  };
  const drawRow = (cells: string[], font: string, y: number, h: number) => {
    doc.font(font).fontSize(9).fillColor('#000000');
    cells.forEach((c, i) => {
      doc.text(pdfText(c), (xs[i] as number) + pad, y + pad, {
        width: (widths[i] as number) - 2 * pad,
        align: table.columns[i]?.align ?? 'left',
      });
    });
    doc
      .moveTo(left, y + h)
      .lineTo(left + width, y + h)
      .lineWidth(font === BOLD ? 0.8 : 0.3)
      .strokeColor('#999999')
      .stroke();
  };
  const header = table.columns.map((c) => c.label);
  const headerHeight = rowHeight(header, BOLD);

  if (table.heading) {
    if (doc.y + 20 + headerHeight > bottom()) doc.addPage();
    doc.font(BOLD).fontSize(11).fillColor('#000000').text(pdfText(table.heading), left, doc.y, { width });
    doc.moveDown(0.2);
  }
  let y = doc.y;
  if (y + headerHeight > bottom()) {
    doc.addPage();
    y = doc.y;
  }
  drawRow(header, BOLD, y, headerHeight);
  y += headerHeight;
  for (const row of table.rows) {
    const h = rowHeight(row, FONT);
    if (y + h > bottom()) {
      doc.addPage();
      y = doc.y;
      drawRow(header, BOLD, y, headerHeight);
      y += headerHeight;
    }
    drawRow(row, FONT, y, h);
    y += h;
  }
  doc.x = left;
  doc.y = y;
  doc.moveDown(1);
}
