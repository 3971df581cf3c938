// One Content-Security-Policy for both shells: only the app's own scripts, no inline script, no
// remote content. 'unsafe-inline' styles are needed by MUI's emotion, which injects <style> tags.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
