# Every dependency is a Debian package installed by scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(OpenSSL REQUIRED)
# Time zones for schedule expressions (absl::TimeZone = cctz over tzdata; libabsl-dev).
find_package(absl REQUIRED)

# V8 through Debian's libnode, unpacked into a private prefix (DESIGN.md pitfall:
# /usr/include/node belongs to Node 20 and carries V8 11.3 headers, so both the
# headers and the library are searched ONLY inside the prefix).
set(M3M_LIBNODE_PREFIX "${CMAKE_SOURCE_DIR}/.deps/libnode/usr" CACHE PATH "Unpacked libnode108/libnode-dev")
find_path(M3M_V8_INCLUDE_DIR v8.h PATHS "${M3M_LIBNODE_PREFIX}/include/node" NO_DEFAULT_PATH)
find_library(M3M_LIBNODE node PATHS "${M3M_LIBNODE_PREFIX}/lib/x86_64-linux-gnu" NO_DEFAULT_PATH)
if(NOT M3M_V8_INCLUDE_DIR OR NOT M3M_LIBNODE)
  message(FATAL_ERROR "libnode not found in ${M3M_LIBNODE_PREFIX}: run scripts/install-deps.sh")
endif()
get_filename_component(M3M_LIBNODE_DIR "${M3M_LIBNODE}" DIRECTORY)
add_library(m3m_v8 INTERFACE)
# -isystem: V8's headers warn under -Wextra. No V8_COMPRESS_POINTERS & co: Debian's
# V8 is built without them and a mismatch aborts in V8::Initialize.
target_include_directories(m3m_v8 SYSTEM INTERFACE "${M3M_V8_INCLUDE_DIR}")
target_link_libraries(m3m_v8 INTERFACE "${M3M_LIBNODE}")
target_link_options(m3m_v8 INTERFACE "-Wl,-rpath,${M3M_LIBNODE_DIR}")
