import type { APIGatewayProxyResult } from 'aws-lambda';
import { escapeHtml } from '../../format/html';

/**
 * A page of the public links API (report links, lead page, contact confirmation): plain, accessible
 * HTML with no script. Never cached, never framed, never sent on as a referrer — some carry PII and
 * all carry tokens in their URLs. `extra` is trusted HTML (already escaped by the caller).
 */
export function htmlPage(
  statusCode: number,
  title: string,
  paragraphs: readonly string[],
  extra = '',
  /** Where the page's form may post (CSP form-action); pages without a form allow none. */
  options: { formAction?: string } = {},
): APIGatewayProxyResult {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} — MNsure PAL</title>
<style>body{font-family:Arial,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}th{text-align:left;vertical-align:top}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${extra}
</body></html>`;
  return {
    statusCode,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action ${options.formAction ?? "'none'"}`,
    },
    body,
  };
}

/** The HTML APIs' answer when no page matches, the method is not allowed, or something failed unexpectedly. */
export function htmlFallback(
  status: 404 | 405 | 500,
  _request: unknown,
  allow: readonly string[],
): APIGatewayProxyResult {
  if (status === 500) return htmlPage(500, 'Something went wrong', ['Please try the link again in a few minutes.']);
  const page = htmlPage(status, status === 404 ? 'Not found' : 'Not allowed', [
    status === 404 ? 'There is no page at this address.' : 'This page cannot be opened this way.',
  ]);
  return status === 405 ? { ...page, headers: { ...page.headers, Allow: allow.join(', ') } } : page;
}
