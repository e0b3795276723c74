# SNOC_SANITIZE=address,undefined instruments every target (CI's ASan+UBSan job).
if(SNOC_SANITIZE)
  add_compile_options(-fsanitize=${SNOC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SNOC_SANITIZE})
endif()

# Fuzzing: every library gets libFuzzer's coverage instrumentation, so the
# fuzzer sees the branches of the code under test, not only of the target.
if(SNOC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SNOC_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
