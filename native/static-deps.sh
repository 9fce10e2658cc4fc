#!/usr/bin/env bash
# Builds the shim's codec libraries as static, position-independent archives from Debian's own source packages
# (libjpeg-turbo, libdeflate, OpenJPEG, libwebp: the versions the rest of the build uses), into native/deps/prefix,
# then the shim linked against them into native/build-static/libwsinative.so: a library that needs only libc,
# for the NuGet package's runtimes/linux-x64/native/. Debian's own .a files are not built with -fPIC.
# Needs root (or sudo) once, to enable deb-src and install nasm. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deps="$here/deps"; src="$deps/src"; prefix="$deps/prefix"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -f "$prefix/.complete" ]; then
  if ! apt-get source --help >/dev/null 2>&1 || ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$codename" \
      | as_root tee /etc/apt/sources.list.d/wsi-reader-src.sources >/dev/null
  fi
  as_root apt-get update -qq
  command -v nasm >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nasm dpkg-dev >/dev/null
  rm -rf "$src" "$prefix"; mkdir -p "$src" "$prefix/lib" "$prefix/include"
  cd "$src"
  for p in libjpeg-turbo libdeflate openjpeg2 libwebp; do apt-get source --download-only "$p" >/dev/null 2>&1; done
  for t in *.orig.tar.*; do case "$t" in *.asc) ;; *) tar xf "$t" ;; esac; done
  common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib)
  cmake -S libjpeg-turbo-* -B b-jpeg "${common[@]}" -DENABLE_SHARED=OFF -DWITH_TURBOJPEG=OFF >/dev/null
  cmake --build b-jpeg -j "$(nproc)" >/dev/null && cmake --install b-jpeg >/dev/null
  cp b-jpeg/libjpeg.a "$prefix/lib/" # libjpeg-turbo installs into lib64 on x86-64 whatever LIBDIR says
  cmake -S openjpeg-* -B b-j2k "${common[@]}" -DBUILD_CODEC=OFF >/dev/null
  cmake --build b-j2k -j "$(nproc)" >/dev/null && cmake --install b-j2k >/dev/null
  cmake -S libwebp-* -B b-webp "${common[@]}" -DWEBP_BUILD_ANIM_UTILS=OFF -DWEBP_BUILD_CWEBP=OFF -DWEBP_BUILD_DWEBP=OFF -DWEBP_BUILD_GIF2WEBP=OFF \
    -DWEBP_BUILD_IMG2WEBP=OFF -DWEBP_BUILD_VWEBP=OFF -DWEBP_BUILD_WEBPINFO=OFF -DWEBP_BUILD_WEBPMUX=OFF -DWEBP_BUILD_EXTRAS=OFF >/dev/null
  cmake --build b-webp -j "$(nproc)" >/dev/null && cmake --install b-webp >/dev/null
  make -C libdeflate-* -j "$(nproc)" CFLAGS="-O2 -fPIC" libdeflate.a >/dev/null
  cp libdeflate-*/libdeflate.a "$prefix/lib/" && cp libdeflate-*/libdeflate.h "$prefix/include/"
  touch "$prefix/.complete"
fi

cmake -S "$here" -B "$here/build-static" -DCMAKE_BUILD_TYPE=Release -DWSI_STATIC_DEPS=ON -DCMAKE_PREFIX_PATH="$prefix" \
  -DJPEG_LIBRARY="$prefix/lib/libjpeg.a" -DJPEG_INCLUDE_DIR="$prefix/include" >/dev/null
cmake --build "$here/build-static" -j "$(nproc)" >/dev/null
if ldd "$here/build-static/libwsinative.so" | grep -Eq "libjpeg|libdeflate|libopenjp2|libwebp"; then
  echo "static-deps: the shim still links a codec library dynamically" >&2; exit 1
fi
echo "$here/build-static/libwsinative.so"
