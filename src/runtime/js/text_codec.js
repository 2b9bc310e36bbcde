// The UTF-8 TextEncoder/TextDecoder the URL bundle uses (esbuild `inject`:
// whatwg-url's references to the globals resolve here, not to the
// runtime's). Built on @exodus/bytes (a dependency of whatwg-url): lone
// surrogates encode as U+FFFD, invalid byte sequences decode as U+FFFD, as
// the Encoding Standard says; a BOM is kept (whatwg-url asks for ignoreBOM).
import { utf8fromStringLoose, utf8toStringLoose } from '@exodus/bytes/utf8.js';

export class TextEncoder {
  encode(input = '') {
    return utf8fromStringLoose(String(input));
  }
}

export class TextDecoder {
  decode(input) {
    if (input === undefined) return '';
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input.buffer || input, input.byteOffset || 0, input.byteLength);
    return utf8toStringLoose(bytes);
  }
}
