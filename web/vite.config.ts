// Builds the web app into web/dist, which `stepwise serve` serves at `/`. In development the dev server
// proxies /api to a running `stepwise serve` (STEPWISE_API, default http://127.0.0.1:3000).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  resolve: {
    alias: { '@domain': fileURLToPath(new URL('../src/domain', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': process.env.STEPWISE_API ?? 'http://127.0.0.1:3000' },
  },
  preview: {
    proxy: { '/api': process.env.STEPWISE_API ?? 'http://127.0.0.1:3000' },
  },
});
