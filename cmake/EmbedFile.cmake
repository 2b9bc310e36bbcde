# Usage: cmake -DINPUT=f -DOUTPUT=f.cpp -DSYMBOL=NAME -P EmbedFile.cmake
# Writes `extern const char* const NAME = "...";` with the file's bytes.
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" content "${content}")
# Split into chunks so no compiler line limit is hit.
string(LENGTH "${content}" len)
set(out "extern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} =\n")
set(pos 0)
while(pos LESS len)
  string(SUBSTRING "${content}" ${pos} 400 chunk)
  string(APPEND out "  \"${chunk}\"\n")
  math(EXPR pos "${pos} + 400")
endwhile()
string(APPEND out "  \"\";\n")
file(WRITE "${OUTPUT}" "${out}")
