// `partita conformance …`: hardware-conformance suites (placeholder while the harness is written).
import ArgumentParser
