#!/usr/bin/env bash
# Re-trains and re-evaluates the shipped checkpoints exactly as they were made (CPU for hours, then a GPU).
# Student: lite, 1,500 steps on the synthetic source domain (day). Teacher: w18, 300 steps on day
# (the first 300 of a 600-step schedule), then 600 steps of fine-tuning on day with photometric
# augmentation (exposure, white balance, contrast, gamma, noise), so that it keeps working when the
# light changes, and 2,400 more such steps at batch 32 on a GPU. Same machine and libtorch give the same weights.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
m=bin/scenestream-model

OMP_NUM_THREADS=1 $m train --model lite --name student --data synthetic:day --size 256x320 --batch 8 --steps 1500 \
  --lr 1e-3 --eval-every 500 --eval-frames 32 --checkpoint-every 100 --seed 1 --fp16 --out runs/student
OMP_NUM_THREADS=1 $m train --model w18 --name teacher --data synthetic:day --size 256x320 --batch 8 --steps 600 \
  --lr 1e-3 --eval-every 300 --eval-frames 32 --checkpoint-every 50 --seed 2 --fp16 --out runs/teacher \
  --pause-after 300
$m export --checkpoint runs/teacher/last.ckpt.zip --out runs/teacher-base.ckpt.zip --fp16
OMP_NUM_THREADS=1 $m train --model w18 --name teacher --data synthetic:day --size 256x320 --batch 8 --steps 600 \
  --lr 5e-4 --eval-every 300 --eval-frames 32 --checkpoint-every 50 --seed 3 --fp16 --photometric \
  --init runs/teacher-base.ckpt.zip --out runs/teacher-photometric

# Then 2,400 more photometric steps at batch 32 on a GPU (one H100: three commands, 18 minutes of wall time; frames rendered ahead on
# its 16 cores by --prefetch). DJL puts the model on the GPU when its libtorch is a CUDA build: docs/model.md,
# "Training on a GPU". On this CPU the same command runs for days.
$m export --checkpoint runs/teacher-photometric/model.ckpt.zip --out runs/teacher-cpu.ckpt.zip --fp16
$m train --model w18 --name teacher --data synthetic:day --size 256x320 --batch 32 --steps 2400 \
  --lr 5e-4 --eval-every 400 --eval-frames 32 --checkpoint-every 50 --seed 4 --fp16 --photometric \
  --init runs/teacher-cpu.ckpt.zip --prefetch 3 --out runs/teacher-gpu

$m export --checkpoint runs/student/model.ckpt.zip --out model/checkpoints/student-lite.ckpt.zip --fp16
$m export --checkpoint runs/teacher-gpu/model.ckpt.zip --out model/checkpoints/teacher-w18.ckpt.zip --fp16
for run in student:lite teacher:w18; do
  name=${run%%:*}; arch=${run##*:}
  ck=model/checkpoints/$name-$arch.ckpt.zip
  # (a) held-out source domain, (b) shifted domains, (c) real NYUD frames (sim-to-real)
  for domain in day night warm-lamp haze; do
    $m evaluate --checkpoint "$ck" --data synthetic:$domain --seed 424242 --frames 32 \
      --json "model/checkpoints/eval/$name-synthetic-$domain.json"
  done
  $m evaluate --checkpoint "$ck" --data nyud:../shared/data/nyud-mini --json "model/checkpoints/eval/$name-nyud-mini.json" \
    --panels "model/checkpoints/eval/panels-$name" --panel-count 2
done
