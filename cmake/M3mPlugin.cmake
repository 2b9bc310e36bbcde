# m3m_add_plugin(<name> SOURCES <files…> [LIBRARIES <libs…>] [OUTPUT_DIRECTORY <dir>])
# A plugin: a MODULE library named <name>.so (no "lib" prefix) against the SDK
# headers. Everything but m3m_plugin_init_v1 is hidden, and -fno-gnu-unique
# keeps C++ inline statics out of the process-wide unique table, so dlclose
# really unloads the library and a reload loads the new file.
function(m3m_add_plugin name)
  cmake_parse_arguments(P "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT P_OUTPUT_DIRECTORY)
    set(P_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  endif()
  add_library(${name} MODULE ${P_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PRIVATE ${P_LIBRARIES})
  set_target_properties(${name} PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden
                                           VISIBILITY_INLINES_HIDDEN ON LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
  endif()
endfunction()
