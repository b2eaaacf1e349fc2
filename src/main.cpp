#include <cstdio>
#include "version.h"
int main() {
  std::printf("imageswitch %s\n", IMAGESWITCH_VERSION);
  return 0;
}
