#include <stdio.h>
int main(void) { puts("latent " LATENT_VERSION); return 0; }
