#!/usr/bin/perl
# The supervised child of the zombie bench, run under a PID 1 in a fresh PID namespace.
# An intermediate process forks N grandchildren that exit at once, then exits itself, so
# all N zombies pass to PID 1 together. We then watch /proc (this namespace's) until no
# process is left besides PID 1, us and whatever was there before, and print the times.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC usleep);

my $count = shift // 10000;
my $timeout_ms = (shift // 15) * 1000;

sub now_ms { clock_gettime(CLOCK_MONOTONIC) * 1000 }

sub others {
    opendir(my $dh, '/proc') or die "opendir /proc: $!";
    my $n = grep { /^\d+$/ && $_ != 1 && $_ != $$ } readdir($dh);
    closedir($dh);
    return $n;
}

my $baseline = others();
my $t0 = now_ms();
my $mid = fork // die "fork: $!";
if ($mid == 0) {
    for (1 .. $count) {
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        POSIX::_exit(0) if $pid == 0;
    }
    POSIX::_exit(0);
}
waitpid($mid, 0);
my $t1 = now_ms();
my $left;
while (1) {
    $left = others() - $baseline;
    last if $left <= 0 || now_ms() - $t1 > $timeout_ms;
    usleep(500);
}
my $t2 = now_ms();
printf "{\"forkMs\":%.3f,\"drainMs\":%.3f,\"totalMs\":%.3f,\"left\":%d,\"ppid\":%d,\"pid\":%d}\n",
    $t1 - $t0, $t2 - $t1, $t2 - $t0, $left, getppid(), $$;
