#!/usr/bin/env bash
# Coverage-guided fuzzing of Accel (docs/fuzzing.md). Publishes the fuzzer into fuzz-out/bin, instruments the copies
# of Accel.Runtime.Core.dll and Accel.Delegates.Cpu.dll there with SharpFuzz (edge coverage, AFL's map layout; the
# build output elsewhere is untouched) and runs `accel-fuzz run` with the arguments given, e.g.
#   scripts/fuzz.sh --executions 1000000 --seed 7
# Findings go to fuzz-out/findings (input + report), inputs that reached new coverage to fuzz-out/corpus (seeds of
# the next run). Exit: 0 nothing found, 1 findings, 3 an execution hung (its input is a finding; rerun with another
# --seed to continue), other: the process died (the input in flight is kept as a crash finding on the next run).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz-out
dotnet tool restore >/dev/null
dotnet publish fuzz/Accel.Fuzz -c Release -o "$out/bin" --nologo -v q
# What decides whether a file is accepted — loading, verification, the definitions' Prepare, planning, delegate
# selection — is instrumented; the arithmetic inner loops of the kernels are not (instrumenting them slows every
# execution tenfold and adds no edges that depend on the model's structure).
dotnet tool run sharpfuzz "$out/bin/Accel.Runtime.Core.dll" \
  Accel.Model Accel.FlatBufferView Accel.OptionsReader Accel.Interpreter Accel.ConstantFolder Accel.DataflowCheck \
  Accel.DelegatePlanner Accel.MemoryPlanner Accel.ArenaPlanner Accel.ExecutionStep Accel.SignatureRunner Accel.Tensor \
  Accel.Operators Accel.Delegates Accel.Kernels.Geometry >/dev/null
dotnet tool run sharpfuzz "$out/bin/Accel.Delegates.Cpu.dll" Accel.Delegates.Cpu.CpuDelegate Accel.Delegates.Cpu.CpuKernel >/dev/null
# The tools' targets: the converter's reader, analysis and lowering (not the generated protobuf parser: Google.Protobuf
# is a separate assembly) and the optimizer.
dotnet tool run sharpfuzz "$out/bin/Accel.Convert.dll" Accel.Conversion.OnnxReader Accel.Conversion.Analysis \
  Accel.Conversion.ConstantFolder Accel.Conversion.ConvGeometry Accel.Conversion.GraphPasses Accel.Conversion.Lowering \
  Accel.Conversion.Shapes >/dev/null
dotnet tool run sharpfuzz "$out/bin/Accel.Optimize.dll" Accel.Optimize >/dev/null
# The decode target: Accel.Vision's header checks, EXIF orientation and pixel conversion (SkiaSharp's native
# decoders are not instrumented: a crash there still ends the process and is kept as a finding).
dotnet tool run sharpfuzz "$out/bin/Accel.Vision.dll" Accel.Vision >/dev/null
exec dotnet "$out/bin/accel-fuzz.dll" run --findings "$out/findings" --corpus "$out/corpus" "$@"
