// The geometry of torchvision's RandomResizedCrop and Resize + CenterCrop, as integer pixel rectangles.

/** A rectangle of the source image, in source pixels, mapped onto the whole output tile. */
export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** open_lth's ImageNet augmentation: RandomResizedCrop(224, scale=(0.1, 1.0), ratio=(0.8, 1.25)) (torchvision's defaults are 0.08 and 3/4..4/3). */
export const OPEN_LTH_CROP = { scale: [0.1, 1], ratio: [0.8, 1.25] } as const;

/** torchvision RandomResizedCrop.get_params: up to 10 tries of a random area and log-uniform aspect, else a clamped centre crop. */
export function randomResizedCropRegion(
  width: number,
  height: number,
  random: () => number,
  { scale, ratio }: { scale: readonly [number, number]; ratio: readonly [number, number] } = OPEN_LTH_CROP,
): Region {
  const area = width * height;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + random() * (scale[1] - scale[0]));
    const aspect = Math.exp(logLow + random() * (logHigh - logLow));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = Math.floor(random() * (height - h + 1));
      const left = Math.floor(random() * (width - w + 1));
      return { top, left, height: h, width: w };
    }
  }
  // Fallback, as torchvision: the whole image clamped to the allowed aspect ratios, centred.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Resize(shorter side → `resize`) as torchvision computes it, then the CenterCrop(`crop`) window in the resized image. */
export function resizeThenCenterCrop(width: number, height: number, resize: number, crop: number): { width: number; height: number; crop: Region } {
  const resizedW = width <= height ? resize : Math.floor((resize * width) / height);
  const resizedH = height <= width ? resize : Math.floor((resize * height) / width);
  const top = Math.round((resizedH - crop) / 2);
  const left = Math.round((resizedW - crop) / 2);
  return { width: resizedW, height: resizedH, crop: { top, left, height: crop, width: crop } };
}
