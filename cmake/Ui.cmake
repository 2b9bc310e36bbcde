# The admin UI (ui/: React + Vite) built by npm and embedded into the binary.
#
# M3M_BUILD_UI=ON (default): `npm ci` when package-lock.json changes, then
# `npm run build` (tsc + vite) into the build tree and ui/scripts/embed.mjs
# turns the output into ${M3M_UI_ASSETS_CPP} (files as string literals plus
# precompressed brotli/gzip variants). Both steps rerun only when a file under
# ui/ that the build reads changes. M3M_BUILD_UI=OFF (fuzz/bench builds or a
# machine without Node): an empty asset table, GET / answers a short note.
#
# Sets M3M_UI_ASSETS_CPP (a source for m3m_http).
if(M3M_BUILD_UI)
  find_program(NPM_EXECUTABLE npm REQUIRED)
  find_program(NODE_EXECUTABLE node REQUIRED)
  set(M3M_UI_DIR ${PROJECT_SOURCE_DIR}/ui)
  set(M3M_UI_OUT ${CMAKE_BINARY_DIR}/ui)
  set(M3M_UI_ASSETS_CPP ${CMAKE_BINARY_DIR}/generated/ui_assets.cpp)

  add_custom_command(
    OUTPUT ${M3M_UI_OUT}/npm-ci.stamp
    COMMAND ${NPM_EXECUTABLE} ci --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E make_directory ${M3M_UI_OUT}
    COMMAND ${CMAKE_COMMAND} -E touch ${M3M_UI_OUT}/npm-ci.stamp
    DEPENDS ${M3M_UI_DIR}/package.json ${M3M_UI_DIR}/package-lock.json
    WORKING_DIRECTORY ${M3M_UI_DIR}
    COMMENT "ui: npm ci"
    VERBATIM)

  file(GLOB_RECURSE M3M_UI_SOURCES CONFIGURE_DEPENDS
       ${M3M_UI_DIR}/src/* ${M3M_UI_DIR}/public/*)
  list(APPEND M3M_UI_SOURCES
       ${M3M_UI_DIR}/index.html ${M3M_UI_DIR}/vite.config.ts ${M3M_UI_DIR}/tsconfig.json
       ${M3M_UI_DIR}/tsconfig.app.json ${M3M_UI_DIR}/tsconfig.node.json
       ${M3M_UI_DIR}/scripts/embed.mjs)

  add_custom_command(
    OUTPUT ${M3M_UI_ASSETS_CPP}
    COMMAND ${NPM_EXECUTABLE} run --silent build -- --outDir ${M3M_UI_OUT}/dist --emptyOutDir --logLevel warn
    COMMAND ${NODE_EXECUTABLE} scripts/embed.mjs ${M3M_UI_OUT}/dist ${M3M_UI_ASSETS_CPP}
    DEPENDS ${M3M_UI_OUT}/npm-ci.stamp ${M3M_UI_SOURCES}
    WORKING_DIRECTORY ${M3M_UI_DIR}
    COMMENT "ui: tsc + vite build, embedding the output"
    VERBATIM)
else()
  set(M3M_UI_ASSETS_CPP ${PROJECT_SOURCE_DIR}/src/http/ui/ui_assets_none.cpp)
endif()
