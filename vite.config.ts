/**
 * The script-tag build of the tag: one minified ES module (Lit bundled), served by the verifier
 * at /iamport-verify.js, and the parts it fetches on demand from beside itself (a provider, the
 * verification). `npm run build` (scripts/build.mjs) runs it and holds it to its size budget.
 */
import { defineConfig, type Plugin } from 'vite';

/** Minifiers leave the CSS inside css`...` as written; squeeze out its comments and whitespace (the size budget is tight). */
function squeezeCss(): Plugin {
  return {
    name: 'squeeze-css',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return undefined;
      return code.replace(/css`([^`]*)`/g, (_, body: string) =>
        'css`' + body.replace(/\/\*[^]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{}:;,>+])\s*/g, '$1')
          .replace(/;}/g, '}').replace(/([^\d.])0\.(\d)/g, '$1.$2').trim() + '`');
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [squeezeCss()],
  build: {
    outDir: 'dist/site',
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    // Vite keeps whitespace in library builds; this one is served as is, so minify fully.
    rolldownOptions: {
      output: {
        minify: true,
        // The parts loaded on demand (a provider, the exchange, the form mode's form), beside the main
        // module: it imports them relative to its own URL, so they come from wherever it came from.
        // Six characters of hash tell a handful of files' versions apart, and each one the main
        // module names is bytes gzip cannot shrink on every page view.
        chunkFileNames: 'iamport-verify/[name]-[hash:6].js',
      },
    },
    lib: {
      entry: 'widget/define.ts',
      formats: ['es'],
      fileName: () => 'iamport-verify.js',
    },
  },
});
