# Strict warnings for project code only (never for third-party headers, which
# CMake already passes as -isystem).
function(snoc_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wimplicit-fallthrough -Wmissing-declarations -Wformat=2)
  if(SNOC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
