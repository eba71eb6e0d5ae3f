# CPack: Debian packages of the relay and of the desktop app.
#
#   cmake --build <build> --target attune-relay attune-desktop
#   cd <build> && cpack -G DEB        -> attune-relay_<version>_<arch>.deb
#                                        attune-desktop_<version>_<arch>.deb
#
# Only the `relay` and `desktop` components are packaged, one package each,
# so other install() rules in the tree (the CLI, tools) never end up in them.
# The desktop component (binary, .desktop file, icon) is installed by
# client/desktop/app/CMakeLists.txt.
if(NOT TARGET attune-relay)
  return()
endif()

set(ATTUNE_DEPLOY_DIR ${PROJECT_SOURCE_DIR}/deploy)

install(TARGETS attune-relay RUNTIME DESTINATION bin COMPONENT relay)
install(FILES ${ATTUNE_DEPLOY_DIR}/attune-relay.service
  DESTINATION /lib/systemd/system COMPONENT relay)
# Installed as a conffile: upgrades keep the admin's edits.
install(FILES ${ATTUNE_DEPLOY_DIR}/attune-relay.toml
  DESTINATION /etc/attune-relay COMPONENT relay)
install(FILES ${PROJECT_SOURCE_DIR}/docs/deploy.md
  DESTINATION share/doc/attune-relay COMPONENT relay)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attune-relay)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Attune")
set(CPACK_PACKAGE_CONTACT "Attune maintainers <maintainers@attune.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Attune store-and-forward relay (holds only end-to-end encrypted mailboxes)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debug symbols stay in the build tree; the package ships a stripped binary.
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL relay)
if(TARGET attune-desktop)
  list(APPEND CPACK_COMPONENTS_ALL desktop)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_RELAY_PACKAGE_NAME attune-relay)
set(CPACK_DEBIAN_DESKTOP_PACKAGE_NAME attune-desktop)
set(CPACK_COMPONENT_DESKTOP_DESCRIPTION
  "Attune desktop app for therapists and clients (end-to-end encrypted messages and check-ins)")
set(CPACK_DEBIAN_DESKTOP_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared-library dependencies are computed by dpkg-shlibdeps from the binary
# (libsodium23, libsqlcipher0, libprotobuf32, libtomlplusplus3, libstdc++6,
# libc6, ...);
# adduser is for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RELAY_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_RELAY_PACKAGE_CONTROL_EXTRA
  ${ATTUNE_DEPLOY_DIR}/debian/postinst
  ${ATTUNE_DEPLOY_DIR}/debian/prerm
  ${ATTUNE_DEPLOY_DIR}/debian/postrm
  ${ATTUNE_DEPLOY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
