// The security headers on every answer (@fastify/helmet): a Content-Security-Policy the web app and
// /api/docs run under, no framing, nosniff, no Referer, and HSTS when the public URL is https.
import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Scripts, styles, fonts and images only from this server (no inline script, no eval). Inline styles are
 * allowed: React Flow, Recharts and Swagger UI set `style` attributes and the unsubscribe page carries
 * a `<style>`; images may be data: URLs (Swagger UI's icons). Nobody may frame a page, the unsubscribe
 * confirm page included (clickjacking its button).
 */
export function securityHeaders(publicUrl: string): FastifyHelmetOptions {
  const https = new URL(publicUrl).protocol === 'https:';
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Only behind https: on plain http (a laptop, the e2e stack) it would send the app's own requests to https.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // The app needs no Referer; a click redirect (/t/c) must not pass the mail client's page on either.
    referrerPolicy: { policy: 'no-referrer' },
    // A browser honours HSTS only over https, and an http installation must stay reachable over http.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
