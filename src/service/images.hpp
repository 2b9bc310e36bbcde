// Image work through libvips (decode anything it knows, re-encode safely).
#pragma once

#include <string>
#include <string_view>

namespace m3m::service {

// Call once at start (vips_init); safe to call again.
void initImages(const char* argv0);

// Decodes `bytes`, crops to a centred square of size×size and encodes PNG.
// INVALID_ARGUMENT when the bytes are not an image libvips can decode.
std::string makeSquarePng(std::string_view bytes, int size);

}  // namespace m3m::service
