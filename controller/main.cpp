// snoc: SmartNIC offload controller for Open vSwitch and SR-IOV.
#include <iostream>
#include <string>
#include <vector>

#include "controller/cli.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return snoc::run_cli(args, std::cout, std::cerr);
}
