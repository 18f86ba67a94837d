# xbarsim_module(NAME SOURCES ... DEPS ...): one library per module, exported as
# xbarsim::NAME, public headers under NAME/include/xbarsim/NAME/.
function(xbarsim_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(xbarsim_${name} ${ARG_SOURCES})
  add_library(xbarsim::${name} ALIAS xbarsim_${name})
  set_target_properties(xbarsim_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME xbarsim_${name})
  target_include_directories(xbarsim_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(xbarsim_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS}
                        $<BUILD_INTERFACE:xbarsim_warnings>)
  install(TARGETS xbarsim_${name} EXPORT xbarsimTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
