<?php
// What the scripts that run WordPress from the command line share: WordPress reads the site it serves
// from the request, so they pose as a request to the site's origin.

/** $_SERVER as for a request to `$origin` (http://host:port), before wp-load.php. */
function pose_as_request_to(string $origin): void
{
    $url = parse_url($origin);
    $_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
    $_SERVER['SERVER_NAME'] = $url['host'];
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
}
