// Entry of the URL bundle: WHATWG URL and URLSearchParams from npm
// `whatwg-url` (jsdom's reference implementation of the URL Standard).
// build.cjs bundles it with esbuild into one script whose value is this
// module's exports; the runtime evaluates it the first time a project reads
// the global `URL` or `URLSearchParams` (runtime/host_scripts.cpp).
export { URL, URLSearchParams } from 'whatwg-url';
