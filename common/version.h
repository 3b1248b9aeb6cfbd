/* version.h: the engine's version, printed by --version. */
#ifndef COMMON_VERSION_H
#define COMMON_VERSION_H

#define ENGINE_VERSION "1.1.0"

#endif
