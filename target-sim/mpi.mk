# SPDX-License-Identifier: MIT
# target-sim/mpi.mk - included by the top-level Makefile: builds build/backtest-sim-mpi, the
# MPI variant of backtest-sim (target-sim/mpi_*.c plus every shared target-sim source except
# main.c), with mpicc. Without mpicc, `make` says so and skips it; `backtest-sim distributed`
# then reports that the MPI binary is missing.

MPICC ?= mpicc
SIM_MPI_SRC := $(wildcard target-sim/mpi_*.c)
SIM_MPI_OBJ := $(SIM_MPI_SRC:%.c=$(O)/%.o)
SIM_SHARED_OBJ := $(filter-out $(O)/target-sim/main.o,$(SIM_OBJ))
HAVE_MPICC := $(shell command -v $(MPICC) 2>/dev/null)

ifneq ($(HAVE_MPICC),)
SIM_MPI := $(O)/backtest-sim-mpi

$(O)/target-sim/mpi_%.o: target-sim/mpi_%.c $(wildcard target-sim/*.h) include/xprof.h
	$(call msg,MPICC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(MPICC) $(SIM_CFLAGS) $(CFLAGS) -c -o $@ $<

$(SIM_MPI): $(SIM_MPI_OBJ) $(SIM_SHARED_OBJ)
	$(call msg,MPILD,$@)
	$(Q)$(MPICC) $(SAN_FLAGS) -o $@ $^ -lm -lpthread $(LDFLAGS)
else
SIM_MPI := sim-mpi-skip

sim-mpi-skip:
	@echo "  SKIP   $(O)/backtest-sim-mpi: $(MPICC) not found (no distributed scenario)"

.PHONY: sim-mpi-skip
endif

all: $(SIM_MPI)
