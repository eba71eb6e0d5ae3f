# attune_warnings(target): our code builds warnings-clean. Generated protobuf
# code is exempt (its include directory is SYSTEM).
function(attune_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()

# attune_library(name SOURCES ... DEPS ...): a static library of our own code
# with its public headers under include/.
function(attune_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  attune_warnings(${name})
endfunction()

# attune_proto_library(name PROTOS a.proto ... DEPS other_proto_lib): C++
# generated at build time from proto/*.proto by protoc. Include as "a.pb.h".
function(attune_proto_library name)
  cmake_parse_arguments(ARG "" "" "PROTOS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_PROTOS})
  protobuf_generate(TARGET ${name} LANGUAGE cpp
    IMPORT_DIRS ${CMAKE_CURRENT_SOURCE_DIR}
    PROTOC_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  target_include_directories(${name} SYSTEM PUBLIC ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
endfunction()

# attune_test(name SOURCES ... DEPS ...): one GoogleTest binary, tests
# discovered for CTest so they run in parallel.
function(attune_test name)
  # PROPERTIES: extra CTest properties of every test of the binary (e.g.
  # FIXTURES_REQUIRED attune_pg_server).
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} attune_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  attune_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}" ${ARG_PROPERTIES})
endfunction()

# Kept for branches written against it; prefer add_subdirectory. A folder that
# does not exist is a configure error, never silently skipped.
macro(attune_subdirectory dir)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    message(FATAL_ERROR "attune_subdirectory(${dir}): ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt does not exist")
  endif()
  add_subdirectory(${dir})
endmacro()
