// Imports the packages where the native core was built for another Node and
// prints the error's message: it must be catchable, not a dead process.
try {
  await import('@stackless/greenlet');
  console.log('loaded');
} catch (error) {
  console.log(`caught: ${error.message}`);
}
