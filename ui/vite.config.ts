import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { fileURLToPath } from 'node:url';

// `npm run dev` serves the UI with hot reload and proxies the API to a running
// m3m (M3M_URL, default http://127.0.0.1:3000, m3m's default port): see docs/development.md.
const target = process.env.M3M_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: {
      '/api': { target, changeOrigin: true },
      '/r': { target, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // Monaco (~4 MB, its TypeScript worker ~7 MB) loads only on the code page.
    chunkSizeWarningLimit: 8000,
  },
  test: {
    // Logic in node; components (tests/component, React Testing Library) in jsdom.
    include: ['tests/unit/**/*.test.ts', 'tests/component/**/*.test.tsx'],
    environment: 'node',
    setupFiles: ['tests/component/setup.ts'],
  },
});
