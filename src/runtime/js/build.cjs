// Bundles url.js and its npm dependencies into one script with esbuild.
// Usage: node build.cjs <node_modules dir> <output file>   (run by CMake,
// src/CMakeLists.txt, after `npm ci` of this package into the build tree).
//
// The output is a single expression statement: `(() => { …; return exports })()`,
// so running the script yields {URL, URLSearchParams} without defining any global.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [nodeModules, outfile] = process.argv.slice(2);
if (!nodeModules || !outfile) {
  console.error('usage: node build.cjs <node_modules dir> <output file>');
  process.exit(2);
}
const esbuild = require(path.join(path.resolve(nodeModules), 'esbuild'));

esbuild
  .build({
    entryPoints: [path.join(__dirname, 'url.js')],
    outfile,
    bundle: true,
    format: 'iife',
    globalName: 'm3mUrlExports',
    banner: { js: '(() => {' },
    footer: { js: 'return m3mUrlExports;\n})()' },
    // V8 10.2 (Debian's libnode 18): esbuild lowers newer syntax.
    target: 'chrome102',
    platform: 'neutral',
    mainFields: ['main', 'module'],
    minify: true,
    keepNames: true, // URL.name === 'URL'
    legalComments: 'eof',
    nodePaths: [path.resolve(nodeModules)],
    inject: [path.join(__dirname, 'text_codec.js')],
    logLevel: 'warning',
    metafile: true,
  })
  .then((result) => {
    // The licenses of the packages in the bundle (all MIT or BSD), appended
    // as a comment: the binary carries a copy of their code.
    const packages = new Set();
    for (const input of Object.keys(result.metafile.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
      if (m) packages.add(m[1]);
    }
    let notice = '\n/* Third-party code in this bundle and its licenses:\n';
    for (const dir of [...packages].sort()) {
      const abs = path.resolve(dir);
      const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
      const file = fs.readdirSync(abs).find((f) => /^licen[cs]e/i.test(f));
      notice += `\n--- ${pkg.name} ${pkg.version} (${pkg.license}) ---\n`;
      if (file) notice += fs.readFileSync(path.join(abs, file), 'utf8').replace(/\*\//g, '* /') + '\n';
    }
    fs.appendFileSync(outfile, notice + '*/\n');
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
