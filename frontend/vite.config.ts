import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { budget } from './scripts/budget';

// `npm run dev` serves the site on :5173 and sends the API, the issuer and the development tools
// to `make run` on :8080.
const stack = process.env.STACK_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), budget(300)],
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // changeOrigin: the stack redirects pages asked for under another host to its own origin.
    proxy: Object.fromEntries(['/api', '/oidc', '/dev', '/config.json'].map((p) => [p, { target: stack, changeOrigin: true }])),
  },
});
