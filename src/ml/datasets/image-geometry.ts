// The geometry of torchvision's RandomResizedCrop and Resize + CenterCrop, as integer pixel rectangles.

/** A rectangle of the source image, in source pixels, mapped onto the whole output tile. */
export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** torchvision RandomResizedCrop.get_params with scale (0.08, 1) and ratio (3/4, 4/3). */
export function randomResizedCropRegion(width: number, height: number, random: () => number): Region {
  const area = width * height;
  const logLow = Math.log(3 / 4);
  const logHigh = Math.log(4 / 3);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (0.08 + random() * (1 - 0.08));
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
  const ratio = width / height;
  let w = width;
  let h = height;
  if (ratio < 3 / 4) h = Math.round(w / (3 / 4));
  else if (ratio > 4 / 3) w = Math.round(h * (4 / 3));
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
