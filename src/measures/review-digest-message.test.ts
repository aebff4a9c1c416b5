import { describe, expect, it } from 'vitest';
import { pdfText } from './pdf.js';
import { LINES_MAX, pct, reviewDigestMessage, section } from './review-digest-message.js';

describe('review digest message', () => {
  const facts = {
    kind: 'weekly' as const,
    workspaceName: 'Acme <script>alert(1)</script>',
    zone: 'Europe/Berlin',
    periodKey: '2026-W48',
    firstDay: '2026-11-23',
    lastDay: '2026-11-29',
    headline: ['Fulfilment this week: 50% (1 of 2 due kept on time)'],
    sections: [
      section('Patterns', ['Type "A" & <B>'], (s) => s, 'none'),
      section('Empty', [] as string[], (s) => s, 'nothing was due'),
    ],
    link: '/api/v1/reports/reviews/weekly?date=2026-11-23',
  };

  it('says the same in plain text and HTML, every value escaped in the HTML', () => {
    const { content, data } = reviewDigestMessage(facts);
    expect(content.title).toBe('Weekly promise review, 2026-W48 — Acme <script>alert(1)</script>');
    expect(content.text).toContain('2026-W48: 2026-11-23 to 2026-11-29 (Europe/Berlin)');
    expect(content.text).toContain('Patterns\n  - Type "A" & <B>');
    expect(content.text).toContain('Empty\n  nothing was due');
    expect(content.html).not.toContain('<script>');
    expect(content.html).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(content.html).toContain('<li>Type &quot;A&quot; &amp; &lt;B&gt;</li>');
    expect(data).toMatchObject({
      kind: 'review.weekly',
      period: '2026-W48',
      from: '2026-11-23',
      to: '2026-11-29',
    });
  });

  it('lists at most LINES_MAX lines per section and counts the rest', () => {
    const s = section(
      'Many',
      Array.from({ length: LINES_MAX + 3 }, (_, i) => i),
      (i) => `line ${i}`,
      'none',
    );
    expect(s.lines).toHaveLength(LINES_MAX);
    expect(s.more).toBe(3);
    const { content } = reviewDigestMessage({ ...facts, sections: [s] });
    expect(content.text).toContain('  … and 3 more');
  });

  it('shows a missing percentage as no data', () => {
    expect(pct(null)).toBe('no data');
    expect(pct(undefined)).toBe('no data');
    expect(pct(66.67)).toBe('66.67%');
  });

  it('keeps PDF text to what the standard fonts can draw', () => {
    expect(pdfText('a − b → c “q” é')).toBe('a - b -> c “q” é');
    expect(pdfText('日本\nx')).toBe('?? x');
  });
});
