// Replaces @exodus/bytes/encoding.js in the URL bundle (esbuild `alias`).
// whatwg-url imports it only to register the legacy multi-byte encodings
// (Shift_JIS, GBK, Big5… ~180 KB of tables) used when an HTML document in
// such an encoding parses a URL. The URL and URLSearchParams classes always
// use UTF-8, so the runtime leaves them out.
