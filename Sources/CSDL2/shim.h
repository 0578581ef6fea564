// SDL2 for the FrontendSDL target (the only target that imports CSDL2).
#include <SDL2/SDL.h>
