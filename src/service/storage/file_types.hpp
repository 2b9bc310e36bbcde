// What a file is, by its name: the MIME type for downloads and the UI's icons,
// and whether the file manager may edit it as text.
#pragma once

#include <string>
#include <string_view>

namespace m3m::service {

std::string mimeTypeOf(std::string_view filename);
bool isEditableText(std::string_view filename);
bool isValidUtf8(std::string_view s);

}  // namespace m3m::service
