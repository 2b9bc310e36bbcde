// Which characters a name or a one-line value may hold. Names end up in
// logs, terminals, file systems and other people's screens: control
// characters (C0, DEL, C1 such as U+0085 NEL) and bidirectional overrides
// (U+202A–U+202E, U+2066–U+2069, with which "evil" + U+202E + "gnp.exe" reads
// as "evilexe.png") are refused, as is text that is not UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

enum class TextKind {
  Line,       // names, one-line values: no control characters at all
  Multiline,  // free text: tab, CR and LF allowed; NUL and the rest refused
};

// Why `s` is refused ("contains a control character (U+0085)"), or nullopt when it is fine.
std::optional<std::string> unsafeTextReason(std::string_view s, TextKind kind = TextKind::Line);

// Well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool isUtf8(std::string_view s);

// Bytes as "binary string" text (each byte one code point U+0000–U+00FF, as
// atob returns), UTF-8 encoded; and back: nullopt when `s` is not UTF-8 or
// holds a code point past U+00FF.
std::string latin1ToUtf8(std::string_view bytes);
std::optional<std::string> utf8ToLatin1(std::string_view s);

}  // namespace m3m::lib
