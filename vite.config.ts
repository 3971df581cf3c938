// Builds the renderer, which both shells load: Electron from disk (hence the relative base) and
// the serve shell over HTTP. The page must run under a strict CSP, so nothing here may inline scripts.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Loaded from disk or loopback, never over a slow link: one bundle beats a waterfall of chunks.
    chunkSizeWarningLimit: 1024,
  },
});
