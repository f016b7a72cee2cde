// Everything in CLinux is header-only; this file exists so SwiftPM builds the target.
#include "CLinux.h"
