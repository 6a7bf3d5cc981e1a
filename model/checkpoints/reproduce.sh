#!/usr/bin/env bash
# Re-trains and re-evaluates the shipped checkpoints exactly as they were made (CPU; hours).
# The runs were stopped at the step recorded in manifest.json ("trained_steps"); --pause-after stops
# the same schedule at the same step, so the weights come out the same (same machine and libtorch).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
m=bin/scenestream-model
STUDENT_STEPS=${STUDENT_STEPS:-500}   # manifest.json: student.trained_steps
TEACHER_STEPS=${TEACHER_STEPS:-300}   # manifest.json: teacher.trained_steps

OMP_NUM_THREADS=1 $m train --model lite --name student --data synthetic:day --size 256x320 --batch 8 --steps 1500 \
  --lr 1e-3 --eval-every 500 --eval-frames 32 --checkpoint-every 100 --seed 1 --fp16 --out runs/student \
  --pause-after "$STUDENT_STEPS"
OMP_NUM_THREADS=1 $m train --model w18 --name teacher --data synthetic:day --size 256x320 --batch 8 --steps 600 \
  --lr 1e-3 --eval-every 300 --eval-frames 32 --checkpoint-every 50 --seed 2 --fp16 --out runs/teacher \
  --pause-after "$TEACHER_STEPS"
for run in student:lite teacher:w18; do
  name=${run%%:*}; arch=${run##*:}
  src=runs/$name/last.ckpt.zip
  $m export --checkpoint "$src" --out "model/checkpoints/$name-$arch.ckpt.zip" --fp16
  ck=model/checkpoints/$name-$arch.ckpt.zip
  # (a) held-out source domain, (b) shifted domains, (c) real NYUD frames (sim-to-real)
  $m evaluate --checkpoint "$ck" --data synthetic:day --seed 424242 --frames 32 --json "model/checkpoints/eval/$name-synthetic-day.json"
  $m evaluate --checkpoint "$ck" --data synthetic:night --seed 424242 --frames 32 --json "model/checkpoints/eval/$name-synthetic-night.json"
  $m evaluate --checkpoint "$ck" --data nyud:../shared/data/nyud-mini --json "model/checkpoints/eval/$name-nyud-mini.json" \
    --panels "model/checkpoints/eval/panels-$name" --panel-count 2
done
